"""TODO project"""
